/**
 * Face-mesh landmark regions (indices into the 468/478 points), from MediaPipe's face_mesh_connections
 * (Apache-2.0): the points on the eyelid margins, the eyebrows and the lip contours. These carry most of an
 * expression; the landmark loss can weigh them apart (TrainingConfig.landmarkRegionWeights).
 */
export const FACE_MESH_REGIONS = {
  /** Both eyes' lid margins (16 points each). */
  eyelids: [
    7, 33, 133, 144, 145, 153, 154, 155, 157, 158, 159, 160, 161, 163, 173, 246, 249, 263, 362, 373, 374, 380, 381, 382,
    384, 385, 386, 387, 388, 390, 398, 466,
  ],
  /** Both eyebrows. */
  brows: [46, 52, 53, 55, 63, 65, 66, 70, 105, 107, 276, 282, 283, 285, 293, 295, 296, 300, 334, 336],
  /** Outer and inner lip contours. */
  lips: [
    0, 13, 14, 17, 37, 39, 40, 61, 78, 80, 81, 82, 84, 87, 88, 91, 95, 146, 178, 181, 185, 191, 267, 269, 270, 291, 308,
    310, 311, 312, 314, 317, 318, 321, 324, 375, 402, 405, 409, 415,
  ],
} as const satisfies Record<string, readonly number[]>;

export type FaceMeshRegion = keyof typeof FACE_MESH_REGIONS;
