export { syncAgent } from './sync-agent.service.js';
