import { expect, it } from 'vitest';
import { productRoleValue } from '../../src/management/services/product-role.js';

// Moved from test/gateway: the gateway now reads the role from the product's backend application.
it('names the product role Product.<display name without non-alphanumerics>.All, else by id', () => {
  expect(productRoleValue({ id: 'tokens', displayName: 'Token Only!' })).toBe('Product.TokenOnly.All');
  expect(productRoleValue({ id: 'starter', displayName: 'Starter' })).toBe('Product.Starter.All');
  expect(productRoleValue({ id: 'p-1', displayName: 'ÄÖ !' })).toBe('Product.p-1.All');
});
