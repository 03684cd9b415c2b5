import { strict as assert } from 'node:assert';
import { CLOUD_HOST_SUFFIX, cloudCaUrl, isCloudHost } from '../../src/core/cockroach/cloud';

describe('cockroach/cloud: Cloud hosts and the CA download', () => {
  const hosts: [string, boolean][] = [
    ['my-cluster-1234.abc.aws-us-east-1.cockroachlabs.cloud', true],
    ['FREE-TIER.GCP-US-CENTRAL1.COCKROACHLABS.CLOUD', true],
    ['my-cluster.abc.aws-us-east-1.cockroachlabs.cloud.', true],
    ['cockroachlabs.cloud.evil.example', false],
    ['evilcockroachlabs.cloud', false],
    ['localhost', false],
    ['', false],
    ['.', false],
    ['x.cockroachlabs.cloud..', false],
    ['.cockroachlabs.cloud', true],
  ];
  for (const [host, cloud] of hosts) it(`${host}: ${cloud ? 'Cloud' : 'not Cloud'}`, () => assert.equal(isCloudHost(host), cloud));

  const urls: [string, string | undefined, string][] = [
    ['abc-123', undefined, 'https://cockroachlabs.cloud/clusters/abc-123/cert'],
    ['<cluster-id>', undefined, 'https://cockroachlabs.cloud/clusters/<cluster-id>/cert'],
    ['abc-123', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080/clusters/abc-123/cert'],
  ];
  for (const [id, server, url] of urls) it(`CA URL ${url}`, () => assert.equal(cloudCaUrl(id, server), url));

  it('the suffix', () => assert.equal(CLOUD_HOST_SUFFIX, '.cockroachlabs.cloud'));
});
