import { toJsonString } from '@bufbuild/protobuf';
import { DeploymentStatusSchema, type DeploymentStatus } from '@lichen/contracts';
import { progressLines, renderDeployment } from '../format/deployment.format.js';
import { redrawRegion } from '../format/live-region.format.js';
import { asText, type CliOutput } from './cli-output.js';

/** Shows each new status of a deployment being followed. */
export interface ProgressView {
  show(status: DeploymentStatus): void;
}

/** The view that suits the output: NDJSON with `--json`, a live view on a terminal, plain lines otherwise. */
export function progressView(output: CliOutput, options: { json?: boolean }): ProgressView {
  if (options.json) return { show: (status) => output.out(`${toJsonString(DeploymentStatusSchema, status)}\n`) };
  if (output.tty) return liveView(output);
  let previous: DeploymentStatus | undefined;
  return {
    show(status) {
      output.out(asText(progressLines(previous, status)));
      previous = status;
    },
  };
}

/** One line per component, redrawn in place at every change. */
function liveView(output: CliOutput): ProgressView {
  let drawn = 0;
  return {
    show(status) {
      const lines = renderDeployment(status);
      output.out(redrawRegion(drawn, lines, output.columns));
      drawn = lines.length;
    },
  };
}
