export { componentManager } from './component-manager.service.js';
