import type { PolicySchema } from '../schema.js';

/** No configuration: always on. */
export type PathSafetyConfig = Record<string, never>;

export const pathSafetySchema: PolicySchema<PathSafetyConfig> = {
  description: "Refuses paths with a segment that decodes to '.' or '..', starts with '..;' or '.;', or hides a separator, before any matching (404).",
  fields: {},
};
