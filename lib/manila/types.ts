/**
 * Manila resources as manila-placement uses them: a normalised, microversion-independent view.
 * Fields absent at the negotiated microversion are `undefined` (or `[]`), never invented. Each
 * schema (Manila's snake_case JSON in, this view out) is built once, when the module loads.
 * Migration calls: ./migration.ts.
 */

// One file per resource under ./resources; this is the one import path for Manila's types.
export * from './resources/share-server';
export * from './resources/service';
export * from './resources/pool';
export * from './resources/share-network';
export * from './resources/share';
export * from './resources/share-type';
export * from './resources/snapshot';
export * from './resources/access-rule';
export * from './resources/message';
export * from './resources/export-location';
export * from './resources/share-instance';

// The migration calls' types live beside the resources' (one import path for Manila's types).
export * from './migration';
