// Shared by the client scripts: read settings, call the Echo API through the gateway, print one
// JSON document (an error too, so the test shows what the library said).

/** A required setting from the environment. */
export function setting(name) {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

/** The claims of a JWT, without verifying it (the gateway and the jose script verify). */
export function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** What the seed flow does with a token: POST to the Echo API through the gateway. */
export async function callEcho(gatewayUrl, token) {
  const response = await fetch(`${gatewayUrl}/echo/resource?param1=sample`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ hello: 'world' }),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

/** Runs `main` and prints its result, or the error, as JSON on stdout. */
export async function run(main) {
  try {
    process.stdout.write(`${JSON.stringify({ ok: true, ...(await main()) })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: describeError(error) })}\n`);
    process.exitCode = 1;
  }
}

export function describeError(error) {
  return {
    name: error?.name,
    message: error?.message,
    code: error?.code ?? error?.errorCode,
    statusCode: error?.statusCode,
    cause: error?.cause?.message,
    // What a multi-step script got done before it failed.
    steps: error?.steps,
  };
}
