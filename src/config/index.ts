export { loadConfig, DEFAULTS, LISTENERS, PUBLIC_LISTENERS, ROLES } from './config.js';
export type { PorticoConfig, ConfigInput, ListenerName, PublicListener, TlsSetting, LogFormat, Role } from './config.js';
