import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS } from '../../src/core/cockroach/expiry';
import { SECTION, SettingKey, Settings, settingDefault } from '../../src/extension/settings';

interface Property {
  type: string;
  default: unknown;
  minimum?: number;
}

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const properties: Record<string, Property> = pkg.contributes.configuration.properties;
const keys = Object.keys(properties).map((k) => k.slice(SECTION.length + 1) as SettingKey);

/** Each getter of Settings, with the settings it reads. */
function getters(): { name: string; reads: SettingKey[]; value: unknown }[] {
  return Object.entries(Object.getOwnPropertyDescriptors(Settings.prototype))
    .filter(([, d]) => d.get)
    .map(([name]) => {
      const reads: SettingKey[] = [];
      const s = new Settings((k) => {
        reads.push(k);
        return undefined;
      });
      return { name, reads, value: (s as unknown as Record<string, unknown>)[name] };
    });
}

const read = (values: Partial<Record<SettingKey, unknown>>) => new Settings((k) => values[k]);

describe('settings: typed getters over package.json contributes.configuration', () => {
  it('every contributed setting is read by a getter, and every getter reads contributed settings', () => {
    assert.ok(Object.keys(properties).every((k) => k.startsWith(`${SECTION}.`)));
    const readByGetters = new Set(getters().flatMap((g) => g.reads));
    assert.deepEqual(
      keys.filter((k) => !readByGetters.has(k)),
      [],
      'contributed but never read',
    );
    assert.deepEqual(
      [...readByGetters].filter((k) => !keys.includes(k)),
      [],
      'read but not contributed',
    );
  });

  it("unset, each getter returns package.json's default", () => {
    for (const g of getters()) {
      if (g.reads.length !== 1) continue;
      assert.deepEqual(g.value, properties[`${SECTION}.${g.reads[0]}`].default, g.name);
    }
    const s = read({});
    assert.deepEqual(s.expiryThresholds, {
      caWarningDays: properties['cockroachTls.expiry.caWarningDays'].default,
      leafWarningDays: properties['cockroachTls.expiry.leafWarningDays'].default,
      leafErrorDays: properties['cockroachTls.expiry.leafErrorDays'].default,
    });
    for (const k of keys) assert.deepEqual(settingDefault(k), properties[`${SECTION}.${k}`].default, k);
  });

  it("the expiry defaults are the core's (the CLI and the editor warn at the same days)", () => {
    assert.deepEqual(read({}).expiryThresholds, DEFAULT_THRESHOLDS);
  });

  it('returns what the user set, when it has the contributed type', () => {
    const s = read({
      discoverCertsDirs: false,
      'expiry.caWarningDays': 200,
      'expiry.leafErrorDays': 0,
      'lint.languages': ['dotenv', 'yaml'],
      'lint.disabledRules': ['port-non-default'],
      'lint.severity': { 'port-non-default': 'warning' },
      'lint.maxFileSize': 10,
      'changefeed.liveCheckTimeoutMs': 800,
      'testConnection.codeLens': false,
      clusters: [{ name: 'a', certsDir: '/c' }],
    });
    assert.equal(s.discoverCertsDirs, false);
    assert.deepEqual(s.expiryThresholds, { caWarningDays: 200, leafWarningDays: 90, leafErrorDays: 0 });
    assert.deepEqual(s.lintLanguages, ['dotenv', 'yaml']);
    assert.deepEqual(s.lintDisabledRules, ['port-non-default']);
    assert.deepEqual(s.lintSeverity, { 'port-non-default': 'warning' });
    assert.equal(s.lintMaxFileSize, 10);
    assert.equal(s.liveCheckTimeoutMs, 800);
    assert.equal(s.testConnectionCodeLens, false);
    assert.deepEqual(s.clusters, [{ name: 'a', certsDir: '/c' }]);
  });

  it('a value of the wrong type, or under the contributed minimum, reads as the default', () => {
    const s = read({
      'lint.enabled': 'false',
      'expiry.caWarningDays': -1,
      'expiry.leafWarningDays': '30',
      'lint.languages': 'yaml',
      'lint.severity': { a: 'fatal', b: 'info' },
      'changefeed.liveCheckTimeoutMs': 100,
      'lint.maxFileSize': Number.NaN,
    });
    assert.equal(s.lintEnabled, true);
    assert.deepEqual(s.expiryThresholds, DEFAULT_THRESHOLDS);
    assert.deepEqual(s.lintLanguages, []);
    assert.deepEqual(s.lintSeverity, { b: 'info' });
    assert.equal(s.liveCheckTimeoutMs, properties['cockroachTls.changefeed.liveCheckTimeoutMs'].default);
    assert.equal(s.lintMaxFileSize, properties['cockroachTls.lint.maxFileSize'].default);
  });

  it('hands out copies of array and object defaults', () => {
    const s = read({});
    s.lintLanguages.push('x');
    s.clusters.push({ name: 'x' });
    assert.deepEqual(read({}).lintLanguages, []);
    assert.deepEqual(read({}).clusters, []);
  });
});
