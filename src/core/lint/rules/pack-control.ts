import type { Rule } from '../rule.js';
import { authKeyWithOauth } from './auth-key-with-oauth.js';
import { headscaleAdvertiseTags } from './headscale-advertise-tags.js';
import { loginServerMismatch } from './login-server-mismatch.js';
import { loginServerNotHttps } from './login-server-not-https.js';
import { oauthWithHeadscale } from './oauth-with-headscale.js';
import { oauthWithoutTags } from './oauth-without-tags.js';

/** Rules about the control server and how the node logs in (issue 10); each in its own module. */
export const PACK_CONTROL: readonly Rule[] = [
  loginServerNotHttps,
  loginServerMismatch,
  oauthWithoutTags,
  authKeyWithOauth,
  headscaleAdvertiseTags,
  oauthWithHeadscale,
];
