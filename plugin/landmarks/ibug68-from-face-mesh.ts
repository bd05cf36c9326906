/**
 * The iBUG 68-point landmarks as indices into MediaPipe's 468-point face mesh.
 *
 * iBUG order: 0-16 jaw contour from the subject's right (image left in a selfie-less, camera view) to left,
 * 17-21 right brow, 22-26 left brow, 27-30 nose bridge to tip, 31-35 nostrils, 36-41 right eye, 42-47 left eye,
 * 48-59 outer lip, 60-67 inner lip. The face mesh has no point that is exactly an iBUG point; each is the mesh
 * vertex closest in meaning, chosen so that the map is mirror-symmetric (mesh x ↦ −x pairs map iBUG pairs).
 * The contour points follow the face-mesh silhouette, which sits near the iBUG jaw line on frontal faces.
 */
export const IBUG68_FROM_FACE_MESH: readonly number[] = [
  // jaw 0-16
  127, 234, 132, 58, 172, 150, 149, 148, 152, 377, 378, 379, 397, 288, 361, 454, 356,
  // right brow 17-21, left brow 22-26
  70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
  // nose bridge 27-30, nostrils 31-35
  168, 197, 5, 1, 98, 97, 2, 326, 327,
  // right eye 36-41 (outer corner, upper outer, upper inner, inner corner, lower inner, lower outer)
  33, 160, 158, 133, 153, 144,
  // left eye 42-47 (inner corner, upper inner, upper outer, outer corner, lower outer, lower inner)
  362, 385, 387, 263, 373, 380,
  // outer lip 48-59 (right corner, upper lip to left corner, lower lip back)
  61, 40, 37, 0, 267, 270, 291, 321, 314, 17, 84, 91,
  // inner lip 60-67
  78, 81, 13, 311, 308, 402, 14, 178,
];

/** iBUG 68 points on the face contour (jaw), weighted 1 in the landmark loss; the other 51 are weighted 10. */
export const IBUG68_CONTOUR = Array.from({ length: 17 }, (_, i) => i);
