/** Positions (line:col-endLine:endCol severity) the "auth-state" rules report on their bad.yaml fixtures. */
export const EXPECTED_AUTH_STATE: Record<string, string[]> = {};
