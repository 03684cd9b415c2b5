/**
 * The extension's settings as typed getters over one reader. The names, types, minimums and
 * defaults are package.json's `contributes.configuration` itself (bundled at build time), so
 * there is no second copy to drift. No VS Code here: config.ts binds it to the workspace, and
 * the unit tests read it with a plain function.
 */
import { contributes } from '../../package.json';
import type { Severity } from '../core/connstr/types';
import type { ExpiryThresholds } from '../core/cockroach/expiry';

export const SECTION = 'cockroachTls';

type Properties = typeof contributes.configuration.properties;

/** A setting's name below `cockroachTls.`: `lint.enabled`, `expiry.caWarningDays`... */
export type SettingKey = { [K in keyof Properties]: K extends `${typeof SECTION}.${infer S}` ? S : never }[keyof Properties];
/** A group of settings (`lint`, `expiry`...), for configuration-change events. */
export type SettingGroup = SettingKey extends infer K ? (K extends `${infer G}.${string}` ? G : never) : never;

interface Property {
  type?: string;
  default?: unknown;
  minimum?: number;
}

function property(key: SettingKey): Property {
  return (contributes.configuration.properties as Record<string, Property>)[`${SECTION}.${key}`];
}

/** package.json's default for a setting (a fresh copy: callers may change arrays and objects). */
export function settingDefault(key: SettingKey): unknown {
  const d = property(key).default;
  return typeof d === 'object' && d !== null ? JSON.parse(JSON.stringify(d)) : d;
}

/** Reads one setting as the user wrote it (undefined when unset). */
export type ReadSetting = (key: SettingKey) => unknown;

/** A cluster as written in `cockroachTls.clusters` (clusters.ts checks each entry). */
export interface ClusterSetting {
  name?: string;
  certsDir?: string;
  caKey?: string;
  clusterId?: string;
  host?: string;
  caCert?: string;
}

/**
 * Typed settings. A value of the wrong type, or a number under package.json's minimum, reads as
 * the default (VS Code flags such values in the Settings editor but still passes them on).
 */
export class Settings {
  constructor(private readonly read: ReadSetting) {}

  /** Every entry as written: clusters.ts reports (by index) the ones that are neither kind. */
  get clusters(): ClusterSetting[] {
    return this.array('clusters', (_v): _v is ClusterSetting => true);
  }

  get discoverCertsDirs(): boolean {
    return this.bool('discoverCertsDirs');
  }

  get expiryThresholds(): ExpiryThresholds {
    return {
      caWarningDays: this.number('expiry.caWarningDays'),
      leafWarningDays: this.number('expiry.leafWarningDays'),
      leafErrorDays: this.number('expiry.leafErrorDays'),
    };
  }

  get expiryNotifications(): boolean {
    return this.bool('expiry.notifications');
  }

  get lintEnabled(): boolean {
    return this.bool('lint.enabled');
  }

  /** Language ids to check; empty checks every language. */
  get lintLanguages(): string[] {
    return this.array('lint.languages', isString);
  }

  get lintDisabledRules(): string[] {
    return this.array('lint.disabledRules', isString);
  }

  get lintSeverity(): Record<string, Severity> {
    const v = this.read('lint.severity');
    const obj =
      typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : (settingDefault('lint.severity') as Record<string, unknown>);
    return Object.fromEntries(Object.entries(obj).filter((e): e is [string, Severity] => e[1] === 'error' || e[1] === 'warning' || e[1] === 'info'));
  }

  get lintMaxFileSize(): number {
    return this.number('lint.maxFileSize');
  }

  get changefeedLintEnabled(): boolean {
    return this.bool('changefeed.lint.enabled');
  }

  get liveCheckTimeoutMs(): number {
    return this.number('changefeed.liveCheckTimeoutMs');
  }

  get testConnectionCodeLens(): boolean {
    return this.bool('testConnection.codeLens');
  }

  /** The Cloud API server the user set; empty (the default): COCKROACH_SERVER, else the Cloud. */
  get cloudServer(): string {
    const v = this.read('cloud.server');
    return typeof v === 'string' ? v.trim() : (settingDefault('cloud.server') as string);
  }

  get cloudPollIntervalMs(): number {
    return this.number('cloud.pollIntervalMs');
  }

  private bool(key: SettingKey): boolean {
    const v = this.read(key);
    return typeof v === 'boolean' ? v : (settingDefault(key) as boolean);
  }

  private number(key: SettingKey): number {
    const v = this.read(key);
    const min = property(key).minimum ?? -Infinity;
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : (settingDefault(key) as number);
  }

  private array<T>(key: SettingKey, item: (v: unknown) => v is T): T[] {
    const v = this.read(key);
    return Array.isArray(v) ? v.filter(item) : (settingDefault(key) as T[]);
  }
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}
