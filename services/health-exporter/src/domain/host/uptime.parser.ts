/** Parses `/proc/uptime` (`507.29 824.30`: seconds since boot, idle seconds summed over CPUs). */
export function parseUptime(text: string): number | undefined {
  const uptime = Number(text.trim().split(/\s+/)[0]);
  return text.trim() !== '' && Number.isFinite(uptime) && uptime >= 0 ? uptime : undefined;
}
