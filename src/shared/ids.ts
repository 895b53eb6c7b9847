const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID in its 8-4-4-4-12 form, any case: object ids, client ids, tenant ids. */
export const isGuid = (value: unknown): value is string => typeof value === 'string' && GUID.test(value);
