// The runtime's stop-gradient (PE-Net's detached identity head uses it too); training exports it with the losses.
export { stopGradient } from '../../../plugin/util/stop-gradient.js';
