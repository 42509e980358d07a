// Public API of manila-placement.

// Errors
export * from './errors';

// Manila and Keystone client
export { resolveCloudConfig, cloudsYamlCandidates, normaliseAuthUrl } from './manila/config';
export type { CloudConfig, AuthConfig, PasswordAuth, ApplicationCredentialAuth, TokenAuth, ConfigSources, ConfigOverrides } from './manila/config';
export { ManilaClient, dispatcherFor } from './manila/client';
export type { ManilaClientOptions, ShareServerFilters } from './manila/client';
export { HttpTransport, systemClock } from './manila/http';
export type { Clock, Exchange, RetryOptions } from './manila/http';
export { KeystoneSession, findManilaEndpoint, authRequestBody, MANILA_SERVICE_TYPES } from './manila/keystone';
export type { KeystoneToken, CatalogService, CatalogEndpoint } from './manila/keystone';
export { MIN_MICROVERSION, MAX_MICROVERSION, compareMicroversions } from './manila/microversion';
export * from './manila/types';

// Snapshot of the cloud
export * from './snapshot/model';

// Plans
export * from './plan/types';
