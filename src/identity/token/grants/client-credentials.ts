import { checkAssignment } from '../steps/check-assignment.js';
import { checkScope } from '../steps/check-scope.js';
import { issueToken } from '../steps/issue-token.js';
import { resolveResource } from '../steps/resolve-resource.js';
import type { Grant } from './grant.js';

/** client_credentials: an app acting as itself; scope names one resource as `{resource}/.default`. */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  requiredParameters: ['scope'],
  steps: [checkScope, resolveResource, checkAssignment, issueToken],
};
