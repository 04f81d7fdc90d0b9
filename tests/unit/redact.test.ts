import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl } from '../../src-main/common/redact';
import { redactSettings } from '../../src-main/system/settings-service';
import { SECRET_SETTING_PATHS, defaultSettings } from '../../src-shared/settings';

describe('redaction', () => {
  it('replaces values under secret-looking keys at any depth', () => {
    const out = redactSecrets({
      smtp: { host: 'mail', password: 'hunter2', auth: { pass: 'p' } },
      webhook: { secret: 's3', headers: { Authorization: 'Bearer abc' } },
      llm: { apiKey: 'sk-123', api_key: 'k', model: 'm' },
      list: [{ token: 't' }, 'plain'],
      empty: { password: '' },
    });
    expect(out).toEqual({
      smtp: { host: 'mail', password: '[REDACTED]', auth: { pass: '[REDACTED]' } },
      webhook: { secret: '[REDACTED]', headers: { Authorization: '[REDACTED]' } },
      llm: { apiKey: '[REDACTED]', api_key: '[REDACTED]', model: 'm' },
      list: [{ token: '[REDACTED]' }, 'plain'],
      empty: { password: '' },
    });
  });

  it('strips credentials embedded in URLs', () => {
    expect(redactUrl('http://user:pw@127.0.0.1:8080/v1')).toBe(
      'http://[REDACTED]@127.0.0.1:8080/v1',
    );
    expect(redactUrl('http://127.0.0.1:8080/v1')).toBe('http://127.0.0.1:8080/v1');
    expect(redactSecrets({ url: 'smtp://a:b@mail.local' })).toEqual({
      url: 'smtp://[REDACTED]@mail.local',
    });
  });

  it('does not modify its input', () => {
    const input = { password: 'x' };
    redactSecrets(input);
    expect(input.password).toBe('x');
  });

  it("redacts inference servers' tokens and URL credentials", () => {
    const s = defaultSettings();
    s.detector.endpoints = [
      { url: 'http://u:pw@gpu-box:8000', token: 'tok-123', maxConcurrent: 4 },
    ];
    const out = redactSettings(s);
    expect(out.detector.endpoints).toEqual([
      { url: 'http://[REDACTED]@gpu-box:8000', token: '[REDACTED]', maxConcurrent: 4 },
    ]);
    expect(s.detector.endpoints[0]!.token).toBe('tok-123');
  });

  it('redacts the LLM API key and URL credentials in settings', () => {
    const s = defaultSettings();
    s.llm.apiKey = 'sk-live';
    s.llm.baseUrl = 'http://me:pw@127.0.0.1:8080';
    const out = redactSettings(s);
    expect(out.llm.apiKey).toBe('[REDACTED]');
    expect(out.llm.baseUrl).toBe('http://[REDACTED]@127.0.0.1:8080');
    expect(s.llm.apiKey).toBe('sk-live');
    expect(JSON.stringify(out)).not.toContain('sk-live');
  });

  it('keeps look-alike settings that are not secrets (maxTokens), and redacts URL credentials inside any text', () => {
    expect(redactSecrets({ llm: { maxTokens: 512, accessToken: 'a', smtpPassword: 'b' } })).toEqual(
      {
        llm: { maxTokens: 512, accessToken: '[REDACTED]', smtpPassword: '[REDACTED]' },
      },
    );
    expect(redactUrl('Cannot connect to http://u:pw@host:1/x (refused)')).toBe(
      'Cannot connect to http://[REDACTED]@host:1/x (refused)',
    );
  });

  it('every setting is classified: a registered secret path, or known not to be one', () => {
    // A new setting lands here until someone decides: register it as a secret, or list it.
    const notSecret = new Set([
      'debug',
      'ingest.root',
      'ingest.stabilitySeconds',
      'ingest.minBytes',
      'ingest.dedupeWindowSeconds',
      'ingest.highWater',
      'ingest.lowWater',
      'ingest.usePolling',
      'ingest.ftp.enabled',
      'ingest.ftp.host',
      'ingest.ftp.port',
      'detector.model',
      'detector.modelPath',
      'detector.family',
      'detector.providers',
      'detector.intraOpThreads',
      'detector.concurrency',
      'detector.allowSpinning',
      'detector.decodeWorkers',
      'detector.confidence',
      'detector.classes',
      'detector.backend',
      // Endpoint tokens are redacted by redactSettings (redaction.test below) and kept on save.
      'detector.endpoints',
      'detector.fallbackToLocal',
      'detector.v2Binary',
      'detector.v2SharedMemory',
      'detectionServer.enabled',
      'detectionServer.host',
      'detectionServer.port',
      'detectionServer.concurrency',
      'detectionServer.queue',
      'detectionServer.maxBodyMegabytes',
      'detectionServer.maxPerSecond',
      'batching.windowSeconds',
      'batching.idleSeconds',
      'batching.maxDetections',
      'batching.fastPath.classes',
      'batching.fastPath.minConfidence',
      'batching.stationary.iou',
      'batching.stationary.seconds',
      'llm.enabled',
      'llm.baseUrl',
      'llm.model',
      'llm.timeoutMs',
      'llm.temperature',
      'llm.maxTokens',
      // Their API keys are redacted by redactSettings (below) and kept on save.
      'llm.endpoints',
      'llm.balance',
      'cameras.offlineAfterSeconds',
      'retentionDays',
      'retention.daily',
      'retention.hour',
      'retention.logsDays',
      'retention.rumDays',
      'retention.jobsDays',
      'retention.recordingsDays',
      'services.healthIntervalSeconds',
      'services.healthTimeoutSeconds',
      'services.maxFailures',
      'services.backoffSeconds',
      'services.maxBackoffSeconds',
      'services.stableSeconds',
      // Managed servers' env values and secret flags are redacted by name (services.test).
      'services.managed',
      // mqtt.password is secret; the username is not (a login name, shown like an email's user).
      'mqtt.enabled',
      'mqtt.url',
      'mqtt.username',
      'mqtt.clientId',
      'mqtt.baseTopic',
      'mqtt.qos',
      'mqtt.tls.caFile',
      'mqtt.tls.certFile',
      'mqtt.tls.keyFile',
      'mqtt.tls.rejectUnauthorized',
      'mqtt.discovery.enabled',
      'mqtt.discovery.prefix',
      'mqtt.frigateCompatible',
      'mqtt.queueLimit',
      'exports.directory',
      'exports.retentionDays',
      'exports.concurrency',
    ]);
    const secret = new Set(SECRET_SETTING_PATHS.map((p) => p.join('.')));
    const leaves: string[] = [];
    const walk = (v: unknown, at: string[]) => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, child] of Object.entries(v)) walk(child, [...at, k]);
      } else leaves.push(at.join('.'));
    };
    const s = defaultSettings();
    s.llm.apiKey = 'sk-set'; // optional settings are absent by default
    s.mqtt.username = 'homeassistant';
    s.mqtt.password = 'broker-secret';
    s.detectionServer.token = 'node-token';
    walk(s, []);
    const unclassified = leaves.filter((l) => !secret.has(l) && !notSecret.has(l));
    expect(unclassified).toEqual([]);
    // Every registered secret is redacted, whatever its key is called.
    const out = redactSettings(s) as unknown as Record<string, Record<string, unknown>>;
    for (const p of SECRET_SETTING_PATHS) {
      expect(p.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], out)).toBe(
        '[REDACTED]',
      );
    }
  });
});
