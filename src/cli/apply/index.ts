export { formatPorticoFile, parsePorticoFile, describeProblem, InvalidFileError, type PorticoFile } from './document.js';
export { readServerState } from './server-state.js';
export { planChanges, type Change } from './plan.js';
