export { loadConfig, DEFAULTS, LISTENERS, PUBLIC_LISTENERS } from './config.js';
export type { PorticoConfig, ConfigInput, ListenerName, PublicListener, TlsSetting, LogFormat } from './config.js';
