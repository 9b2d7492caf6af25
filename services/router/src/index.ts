export { router } from './router.service.js';
