/**
 * A client application's read-only `state`, derived from its product links' states as the spec's
 * ClientApplicationContractProperties describes (docs/management-api.md): every combination.
 */
import { expect, test } from 'vitest';
import { applicationState } from '../../src/management/services/client-applications.js';
import type { ProductLinkState } from '../../src/management/index.js';

const of = (...states: ProductLinkState[]) => applicationState(states.map((state) => ({ state })));

test.each([
  [[], 'pending'],
  [['pending'], 'pending'],
  [['pending', 'pending'], 'pending'],
  [['pending', 'rejected'], 'pending'],
  [['rejected'], 'rejected'],
  [['rejected', 'rejected'], 'rejected'],
  [['active'], 'active'],
  [['active', 'pending'], 'active'],
  [['active', 'rejected'], 'active'],
  [['approved'], 'approved'],
  [['approved', 'active'], 'approved'],
  [['approved', 'pending', 'rejected'], 'approved'],
] as [ProductLinkState[], string][])('links %j → %s', (states, expected) => {
  expect(of(...states)).toBe(expected);
});
