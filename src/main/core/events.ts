import { ipcEvents, type EventName } from '../../shared/ipc.js';

export const EVENT_NAMES = Object.keys(ipcEvents) as EventName[];
