import type { TokenStep } from '../token-context.js';

/** One OAuth grant: its grant_type, the parameters it requires, and the steps that finish it. */
export interface Grant {
  readonly grantType: string;
  /** Checked, in order, after grant_type and client_id (AADSTS900144 when absent). */
  readonly requiredParameters: readonly string[];
  /** Run after the client is authenticated. */
  readonly steps: readonly TokenStep[];
}
