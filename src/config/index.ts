export { loadConfig, DEFAULTS, LISTENERS } from './config.js';
export type { PorticoConfig, ConfigInput, ListenerName } from './config.js';
