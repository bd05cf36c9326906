import { CpemError } from '../errors/cpem-error.js';

/**
 * For each of the tracker's 478 landmarks, the landmark on the other side of the face: the 468 face-mesh points by
 * MediaPipe's canonical face mesh (Apache-2.0), which is exactly symmetric (each point's mirror image across x = 0
 * is another point, within 1e-6; 28 points on the midline map to themselves), and the 10 iris points (centre, then
 * the +x, up, -x and down contour points of each eye) eye to eye with their horizontal contour points swapped.
 * test/node/face-mesh-mirror.test.ts re-derives the mesh part from ../shared/face-data/mediapipe-canonical.
 */
export const FACE_MESH_MIRROR: readonly number[] = Object.freeze([
  0, 1, 2, 248, 4, 5, 6, 249, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 250, 251, 252, 253, 254, 255, 256, 257, 258,
  259, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279, 280, 281,
  282, 283, 284, 285, 286, 287, 288, 289, 290, 291, 292, 293, 294, 295, 296, 297, 298, 299, 300, 301, 302, 303, 304,
  305, 306, 307, 308, 309, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 322, 323, 94, 324, 325, 326, 327,
  328, 329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341, 342, 343, 344, 345, 346, 347, 348, 349, 350,
  351, 352, 353, 354, 355, 356, 357, 358, 359, 360, 361, 362, 363, 364, 365, 366, 367, 368, 369, 370, 371, 372, 373,
  374, 375, 376, 377, 378, 379, 151, 152, 380, 381, 382, 383, 384, 385, 386, 387, 388, 389, 390, 164, 391, 392, 393,
  168, 394, 395, 396, 397, 398, 399, 175, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414,
  415, 416, 417, 418, 195, 419, 197, 420, 199, 200, 421, 422, 423, 424, 425, 426, 427, 428, 429, 430, 431, 432, 433,
  434, 435, 436, 437, 438, 439, 440, 441, 442, 443, 444, 445, 446, 447, 448, 449, 450, 451, 452, 453, 454, 455, 456,
  457, 458, 459, 460, 461, 462, 463, 464, 465, 466, 467, 3, 7, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33,
  34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62,
  63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91,
  92, 93, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117,
  118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140,
  141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 165, 166,
  167, 169, 170, 171, 172, 173, 174, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191,
  192, 193, 194, 196, 198, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218,
  219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241,
  242, 243, 244, 245, 246, 247, 473, 476, 475, 474, 477, 468, 471, 470, 469, 472,
]);

/**
 * The landmarks of the horizontally mirrored image: x → width − x, each point moved to its mirror index
 * (FACE_MESH_MIRROR), y and depth kept. `stride` values per point (2 or 3), 478 points.
 */
export function mirrorFaceLandmarks(landmarks: ArrayLike<number>, width: number, stride = 3): Float32Array {
  const n = FACE_MESH_MIRROR.length;
  if (landmarks.length !== n * stride) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `mirrorFaceLandmarks needs ${n} points of ${stride} values (${n * stride}); got ${landmarks.length}.`,
    );
  }
  const out = new Float32Array(landmarks.length);
  for (let i = 0; i < n; i++) {
    const j = FACE_MESH_MIRROR[i];
    out[j * stride] = width - landmarks[i * stride];
    for (let c = 1; c < stride; c++) out[j * stride + c] = landmarks[i * stride + c];
  }
  return out;
}
