/** PORTICO_LOG_FORMAT (--log-format): auto by default, pretty on a terminal, JSON lines otherwise. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startOverrides } from '../../src/cli/commands/start.js';
import { resolveLogFormat } from '../../src/shared/index.js';

describe('log format', () => {
  it('defaults to auto; the variable and then the flag win; any case', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ PORTICO_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ PORTICO_LOG_FORMAT: 'JSON' }).logFormat).toBe('json');
    expect(loadConfig({ PORTICO_LOG_FORMAT: 'json' }, startOverrides({ logFormat: 'pretty' })).logFormat).toBe('pretty');
  });

  it('refuses anything else, naming the variable, the flag and the choices', () => {
    expect(() => loadConfig({ PORTICO_LOG_FORMAT: 'xml' })).toThrow(expect.objectContaining({
      code: 'ERR_CONFIG_INVALID',
      message: 'PORTICO_LOG_FORMAT (--log-format) must be json, pretty or auto (pretty on a terminal, else json), got "xml".',
    }));
  });

  it('auto is pretty on a terminal and JSON lines otherwise; an explicit choice is kept', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
