import type { ProductRecord } from '../management-store.js';

/**
 * The app role value granted for a product, `Product.<Name>.All` (the seed page's
 * `Product.Starter.All`). Name = the display name with everything outside [A-Za-z0-9] removed,
 * or the product id when nothing is left. It is the value given to the role on the product's
 * backend application when that is created; the gateway reads the role from the directory,
 * so renaming a product later does not change the role its clients hold.
 */
export function productRoleValue(product: Pick<ProductRecord, 'id' | 'displayName'>): string {
  const name = product.displayName.replace(/[^A-Za-z0-9]/g, '');
  return `Product.${name === '' ? product.id : name}.All`;
}
