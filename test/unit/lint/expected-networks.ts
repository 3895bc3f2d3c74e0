/** Positions (line:col-endLine:endCol severity) the "networks" rules report on their bad.yaml fixtures. */
export const EXPECTED_NETWORKS: Record<string, string[]> = {};
