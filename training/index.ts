import './tf/register-gradients.js';

export { identityConsistencyLoss } from './losses/identity-consistency.js';
export { expressionExclusiveLoss } from './losses/expression-exclusive.js';
export { landmarkLoss, contourWeightedLandmarks } from './losses/landmark.js';
export { identityRegularization, expressionSparsity } from './losses/regularization.js';
export { stopGradient } from './losses/stop-gradient.js';
