/** The Vigil SDK: a typed client for the HTTP API and the API's request/response types. */
export {
  type CreateOptions,
  type FieldError,
  type PageParams,
  VigilApiError,
  VigilClient,
  type VigilClientOptions,
  VigilNetworkError,
} from './client.js';
export * from './contract/index.js';
