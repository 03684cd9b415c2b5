/**
 * The Cloud core's public surface, for the CLI and the editor: plain data in and out, the network
 * behind an injectable Transport, time as a `now`, the environment as an object, --wait as
 * WaitOptions (progress, AbortSignal), the history store as a folder passed in.
 */
export type { ApiClientCa, ApiCluster, ClientCaStatus, CloudCluster, ClusterRef } from './api';
export { clusterText } from './api';
export type { CaEntry } from './bundle';
export { UPLOAD_WARNING_DAYS, normalizeFingerprint, parseBundleEntries, readCaFile } from './bundle';
export { CloudApiError, CloudClient } from './client';
export type { CloudClientOptions } from './client';
export type { CloudConfig, CloudEnv } from './config';
export type { KeySource } from './config';
export { API_KEY_ENV, CC_VERSION, CLIENT_CA_ROLES, SERVER_ENV, cloudConfig, keyName, redactKey, requireApiKey } from './config';
export type { HttpRequest, HttpResponse, Transport } from './transport';
export { fetchTransport } from './transport';
export type { HistoryEntry } from './history';
export { defaultHistoryDir, defaultRollback, findHistory, listHistory, userConfigDir } from './history';
export { assertClientCaPlan, isClusterId, planAllowsClientCa, resolveCluster } from './resolve';
export type { WaitOptions, WaitProgress, WaitTarget } from './wait';
export { DEFAULT_POLL_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS, waitForClientCa } from './wait';
export type { ClientCaView, ListedCluster } from './view';
export { listCloudClusters, listClustersWithClientCa, showClientCa } from './view';
export type { ApplyOptions, ClientCaChange, ClientCaPlan, ClientCaResult, PlanInput } from './clientCa';
export { applyClientCaPlan, planClientCaChange } from './clientCa';
export type { CaCertAction, CaCertOptions, CaCertResult } from './caCert';
export { defaultCaCertPath, downloadCaCert, localCaState } from './caCert';
export type { DependentCert } from './dependents';
export { dependentClientCerts } from './dependents';
export type { CloudUrl, CloudUrlInput, LocalCaState } from './connection';
export { cloudConnectionUrl } from './connection';
