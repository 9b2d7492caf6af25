/** The Lichen release these contracts belong to; reported in heartbeats and `lichen_build_info`. */
export const lichenVersion = '0.1.0';
