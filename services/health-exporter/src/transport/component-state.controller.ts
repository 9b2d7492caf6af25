import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { componentStateName, subjects, type ComponentStateEvent } from '@lichen/contracts';
import { ComponentStateBook } from '../domain/components/component-state-book.js';

/** Bus handlers: component states from their events. */
@Controller()
export class ComponentStateController {
  constructor(@Inject(ComponentStateBook) private readonly components: ComponentStateBook) {}

  @EventPattern<string>(subjects.component.state.pattern)
  onComponentState(@Payload() event: ComponentStateEvent): void {
    this.components.apply({
      component: event.component,
      state: componentStateName(event.state),
      removed: event.removed,
      at: event.time ? timestampDate(event.time) : undefined,
    });
  }
}
