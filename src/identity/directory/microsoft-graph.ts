/** Microsoft Graph's well-known appId: the audience of tokens for the `/v1.0/` directory API. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** Identifier URIs of the Graph application; scope `https://graph.microsoft.com/.default` resolves to it. */
export const GRAPH_RESOURCE_URIS: readonly string[] = Object.freeze(['https://graph.microsoft.com']);
