import type { ProductRecord } from '../management/management-store.js';

/**
 * The app role value granted for a product, `Product.<Name>.All` (the seed page's
 * `Product.Starter.All`). Name = the display name with everything outside [A-Za-z0-9] removed,
 * or the product id when nothing is left. The management plane creates the role with this value
 * and the gateway requires it in a token's `roles`, so both must use this one function.
 */
export function productRoleValue(product: Pick<ProductRecord, 'id' | 'displayName'>): string {
  const name = product.displayName.replace(/[^A-Za-z0-9]/g, '');
  return `Product.${name === '' ? product.id : name}.All`;
}
