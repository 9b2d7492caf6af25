import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { componentStateName, subjects, type ComponentStateEvent } from '@lichen/contracts';
import { ComponentStateBook } from '../domain/components/component-state-book.js';
import { HealthMonitor } from '../domain/health/health-monitor.js';
import { toHeartbeat } from './heartbeat.mapper.js';

/** Bus handlers: a fresh heartbeat on request, component states from their events. */
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthMonitor) private readonly monitor: HealthMonitor,
    @Inject(ComponentStateBook) private readonly components: ComponentStateBook,
  ) {}

  @MessagePattern(subjects.health.get.subject)
  async getHealth() {
    return toHeartbeat(await this.monitor.report());
  }

  @EventPattern<string>(subjects.component.state.pattern)
  onComponentState(@Payload() event: ComponentStateEvent): void {
    this.components.apply({ component: event.component, state: componentStateName(event.state), removed: event.removed });
  }
}
