import { AppError } from '../../errors/index.js';

/** api-versions callers may send: the ones Azure's CLI and SDKs use, plus the preview that has clientApplications. */
export const SUPPORTED_API_VERSIONS: readonly string[] = [
  '2019-11-01', '2019-12-01', '2020-12-01', '2021-01-01-preview', '2021-04-01-preview', '2021-08-01',
  '2021-12-01-preview', '2022-04-01-preview', '2022-08-01', '2022-09-01-preview', '2023-03-01-preview',
  '2023-05-01-preview', '2023-09-01-preview', '2024-05-01', '2024-06-01-preview', '2024-10-01-preview',
  '2025-03-01-preview', '2025-09-01-preview',
];

export function checkApiVersion(value: unknown): string {
  // A client that appends api-version to a nextLink which already has it sends it twice; the same value twice is fine.
  if (Array.isArray(value)) {
    const distinct = [...new Set(value)];
    if (distinct.length !== 1) {
      throw new AppError('InvalidApiVersionParameter', `The api-version query parameter was given different values ('${distinct.join("', '")}'); send exactly one.`);
    }
    value = distinct[0];
  }
  if (typeof value !== 'string' || value === '') {
    throw new AppError('MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (!SUPPORTED_API_VERSIONS.includes(value)) {
    throw new AppError(
      'InvalidApiVersionParameter',
      `The api-version '${value}' is invalid. The supported versions are '${SUPPORTED_API_VERSIONS.join(',')}'.`,
    );
  }
  return value;
}
