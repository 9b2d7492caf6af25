import { toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { Command, InvalidArgumentError } from 'commander';
import { BusError, type Bus } from '@lichen/bus';
import {
  CLASSIC_SHADOW,
  isSubjectToken,
  ShadowDeletedSchema,
  ShadowDocumentSchema,
  subjects,
  type ShadowRequest,
  type ShadowUpdateRequest,
} from '@lichen/contracts';
import { busCommand, parseCount, runOnBus, type CliDefaults } from './bus-command.js';
import { processOutput, type CliOutput } from './cli-output.js';
import { readPayload } from './payload-argument.js';
import { readShadowUpdate } from './shadow-update.argument.js';

/** Which shadow a command is about; `shadow` absent is the thing's classic shadow. */
export interface ShadowTarget {
  thing: string;
  shadow?: string;
}

interface CallOptions {
  requestTimeoutMs: number;
}

/** `lichen shadow get`: the shadow as JSON, with its delta. */
export function getShadow(bus: Bus, output: CliOutput, target: ShadowTarget, options: CallOptions): Promise<number> {
  return answer('get', output, ShadowDocumentSchema, () =>
    bus.request(subjects.shadow.get, {}, { tokens: tokensOf(target), timeoutMs: options.requestTimeoutMs }),
  );
}

/** `lichen shadow update`: sends the update, prints the shadow after it. */
export function updateShadow(
  bus: Bus,
  output: CliOutput,
  target: ShadowTarget,
  request: ShadowUpdateRequest,
  options: CallOptions,
): Promise<number> {
  return answer('update', output, ShadowDocumentSchema, () =>
    bus.request(subjects.shadow.update, request, { tokens: tokensOf(target), timeoutMs: options.requestTimeoutMs }),
  );
}

/** `lichen shadow delete`: deletes the shadow, prints the version it had. */
export function deleteShadow(
  bus: Bus,
  output: CliOutput,
  target: ShadowTarget,
  request: Partial<Pick<ShadowRequest, 'version'>>,
  options: CallOptions,
): Promise<number> {
  return answer('delete', output, ShadowDeletedSchema, () =>
    bus.request(subjects.shadow.delete, request, { tokens: tokensOf(target), timeoutMs: options.requestTimeoutMs }),
  );
}

/** The reply as indented JSON (proto3 JSON mapping: AWS IoT's document); a refusal as its code and message. */
async function answer<Desc extends DescMessage>(
  verb: string,
  output: CliOutput,
  schema: Desc,
  call: () => Promise<MessageShape<Desc>>,
): Promise<number> {
  try {
    output.out(`${JSON.stringify(toJson(schema, await call()), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof BusError)) throw error;
    if (error.code === 'BUS_ERROR_REPLY') {
      output.err(`lichen shadow ${verb}: rejected with ${error.status}: ${error.message}\n`);
      return 1;
    }
    if (error.code !== 'BUS_NO_RESPONDERS') throw error;
    output.err(`lichen shadow ${verb}: ${error.message} (is the sync agent running? start it with \`lichen run sync-agent\`)\n`);
    return 1;
  }
}

function tokensOf({ thing, shadow }: ShadowTarget): [string, string] {
  return [thing, shadow ?? CLASSIC_SHADOW];
}

/** A thing or shadow name as a subject token: the sync agent says what AWS IoT allows, this only keeps the subject whole. */
function parseName(value: string): string {
  if (!isSubjectToken(value))
    throw new InvalidArgumentError(`"${value}" cannot name a thing or a shadow (no dots, spaces, * or >)`);
  return value;
}

type Flags = { nats: string; timeout: number };

/**
 * `lichen shadow get|update|delete <thing> [<shadow>]`: the device's shadows, as AWS IoT's Device Shadow service
 * has them; without `<shadow>`, the thing's classic (unnamed) shadow.
 */
export function shadowCommand(defaults: CliDefaults): Command {
  const settings = (flags: Flags) => ({ nats: flags.nats, connectTimeoutMs: flags.timeout });
  const get = busCommand('get', defaults)
    .description('print a shadow as JSON, with what desired asks that reported does not say (delta)')
    .argument('<thing>', 'the thing', parseName)
    .argument('[shadow]', "the named shadow; without it, the thing's classic shadow", parseName)
    .action(async (thing: string, shadow: string | undefined, flags: Flags) => {
      await runOnBus('shadow get', settings(flags), (bus, output) =>
        getShadow(bus, output, { thing, shadow }, { requestTimeoutMs: flags.timeout }),
      );
    });
  const update = busCommand('update', defaults)
    .description('merge an update into a shadow (made if there is none), print the shadow after it')
    .argument('<thing>', 'the thing', parseName)
    .argument('[shadow]', "the named shadow; without it, the thing's classic shadow")
    .argument(
      '[update]',
      'the update as AWS IoT takes it, \'{"state":{"desired":{...},"reported":{...}}}\' (null deletes); @file, or - for stdin',
    )
    .option('--desired <json>', 'the desired section to merge in, instead of the whole update')
    .option('--reported <json>', 'the reported section to merge in, instead of the whole update')
    // Not `--version`: the program's own option takes that name wherever it is given.
    .option('--expected-version <n>', 'apply only if the shadow is at this version', parseCount(0))
    .action(
      async (
        thing: string,
        second: string | undefined,
        third: string | undefined,
        flags: Flags & { desired?: string; reported?: string; expectedVersion?: number },
      ) => {
        // With the update as JSON it comes last, so `<thing> <update>` is the classic shadow.
        const shortcuts = flags.desired !== undefined || flags.reported !== undefined;
        const [shadow, document] = third !== undefined || shortcuts ? [second, third] : [undefined, second];
        let request: ShadowUpdateRequest;
        try {
          if (shadow !== undefined) parseName(shadow);
          const text = document === undefined ? undefined : new TextDecoder().decode(await readPayload(document));
          request = readShadowUpdate({
            document: text,
            desired: flags.desired,
            reported: flags.reported,
            version: flags.expectedVersion,
          });
        } catch (error) {
          processOutput().err(`lichen shadow update: ${(error as Error).message}\n`);
          process.exitCode = 1;
          return;
        }
        await runOnBus('shadow update', settings(flags), (bus, output) =>
          updateShadow(bus, output, { thing, shadow }, request, { requestTimeoutMs: flags.timeout }),
        );
      },
    );
  const remove = busCommand('delete', defaults)
    .description('delete a shadow, print the version it had')
    .argument('<thing>', 'the thing', parseName)
    .argument('[shadow]', "the named shadow; without it, the thing's classic shadow", parseName)
    .option('--expected-version <n>', 'delete only if the shadow is at this version', parseCount(0))
    .action(async (thing: string, shadow: string | undefined, flags: Flags & { expectedVersion?: number }) => {
      await runOnBus('shadow delete', settings(flags), (bus, output) =>
        deleteShadow(bus, output, { thing, shadow }, { version: flags.expectedVersion }, { requestTimeoutMs: flags.timeout }),
      );
    });
  return new Command('shadow')
    .description("read and change the device's shadows (AWS IoT Device Shadow documents)")
    .addCommand(get)
    .addCommand(update)
    .addCommand(remove);
}
