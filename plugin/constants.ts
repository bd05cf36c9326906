/**
 * Counts shared by the plugin, the training code, the benches and the tools: defined here once, imported everywhere.
 */

/**
 * Face-mesh landmarks of one face, as MediaPipe's tracker gives them and the face model places them: the 468 mesh
 * points ({@link NUM_MESH_POINTS}), then 2 × 5 iris points (centre, then rim) at indices 468-472 and 473-477.
 */
export const NUM_FACE_LANDMARKS = 478;

/** Face-mesh points without the irises (indices 0-467); the first iris point's index is this count. */
export const NUM_MESH_POINTS = 468;

/** Expression units that CPEM estimates (the length of `EXPRESSION_UNITS`, checked where that list is defined). */
export const NUM_EXPRESSION_UNITS = 46;
