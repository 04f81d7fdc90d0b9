import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl } from '../../src-main/common/redact';
import { redactSettings } from '../../src-main/system/settings-service';
import { defaultSettings } from '../../src-shared/settings';

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
});
