/**
 * "What this shows / how to read it" for every view, by view id (app/views.ts), shown by
 * ViewLayout under the view's one-line description. Kept in one place so the texts use one
 * vocabulary (layer, head, position, metric) and the same meaning of every parameter as the
 * CLI and the notebooks.
 */

export interface ViewHelp {
  readonly shows: string;
  readonly read: string;
}

export const VIEW_HELP: Readonly<Record<string, ViewHelp>> = {
  model: {
    shows: 'The open model: its architecture and sizes, the compute backend and why it was chosen, and how long one forward pass takes on each backend.',
    read: 'Auto uses WebGPU on a real GPU and the CPU when the only WebGPU adapter is a software renderer (SwiftShader, llvmpipe, WARP), which is slower than the CPU backend. "Compare backends" times the same forward pass on each.',
  },
  prompt: {
    shows: "The model's next-token distribution after the prompt, and text generated from it.",
    read: 'Probabilities are after softmax at the last position. Generation samples with the temperature, top-k and top-p shown (temperature 0 = greedy); the seed makes a run repeatable.',
  },
  attention: {
    shows: 'Attention patterns: for every layer and head, how much each query position (row) attends to each key position (column); the grid gives each head\'s mean attention distance (how many tokens back it looks).',
    read: 'Rows sum to 1. A bright diagonal just below the main one is a previous-token head (distance near 1); a bright first column is attention to BOS (often a "resting" head). Click a head in the grid to open its pattern.',
  },
  'logit-lens': {
    shows: 'What the residual stream would predict if the model stopped early: each layer\'s residual decoded through the final norm and the unembedding, at every position.',
    read: 'Rows are layers, layer 0 at the top and the model\'s own output ("final") at the bottom; columns are input positions. Colour is the target token\'s rank (log scale, dark = rank 0, the top token) or a probability; cell text is the top-1 token, hover lists the top 5.',
  },
  neurons: {
    shows: 'The tokens one MLP neuron promotes and suppresses: its input (and gate) direction and its output direction, read through the unembedding.',
    read: 'Large positive scores on the output side are tokens the neuron pushes up when it fires. Layer and neuron must exist in the model; out-of-range numbers are refused, not clamped.',
  },
  'head-scores': {
    shows: 'Previous-token, duplicate-token, induction and successor scores of every head, on seeded random sequences repeated twice.',
    read: 'Each grid is layer × head; a score near 1 means the head does that job on almost every position. Click a head to see its pattern on the random sequence.',
  },
  dictionaries: {
    shows: "A sparse dictionary's features (the built-in stories260K SAEs, one per residual layer): a feature's top-activating contexts over the model's own seeded samples, its activation histogram, its logit weights (W_dec[f] · W_U), its nearest features by decoder cosine; generation steered by the feature beside the clean text; and the features active at a position of the prompt.",
    read: 'Tokens are shaded by the feature\'s activation relative to its maximum; the activating token is outlined. The dashboards hold every feature of the run, so another feature id shows at once. Steering adds value · W_dec[f] to the residual (or scales or clamps the feature) with the error term kept, so only the feature\'s change reaches the model.',
  },
  'attribution-graph': {
    shows: 'The circuit behind the next-token prediction: each MLP replaced by its transcoder (features plus an error node per position), attention and norms frozen, and every edge the direct linear effect of one node on another, from the input tokens (bottom) through the layers to the top logits (top).',
    read: 'Node size is influence on the output; red edges push their target up, blue down. The replacement score is the share of influence that reaches the logits without passing through an error node. Click a node for its strongest edges, its feature dashboard, or to group it into a supernode; the slider hides less influential nodes.',
  },
  dla: {
    shows: "Each component's direct contribution to the metric — logit(answer) − logit(wrong) at the chosen position — through the final norm with its scale frozen.",
    read: 'Bars add up (with the biases) to the metric. Red heads push towards the answer, blue towards the wrong token. Only direct effects: a head that works through later layers scores near 0 here.',
  },
  linearscope: {
    shows: 'The metric written as a sum over source positions and components, by linear replay of the forward pass (attention patterns and norm scales frozen).',
    read: 'Each cell is how much one component at one source position moves the metric. Click a position to decode the pulled-back direction: the tokens whose embedding there would raise the metric.',
  },
  obsprop: {
    shows: 'ObsProp features: for each head, the direction in its input that raises the observable, beside the effect of ablating the head.',
    read: 'A head with a large feature norm and a large ablation effect matters for the observable; a large norm with a small effect is a head the model does not rely on here.',
  },
  ablation: {
    shows: 'What happens to the metric, the loss and the output distribution when each head is ablated (zero, mean, resampled or uniform attention).',
    read: 'Total effect = metric change when the head is removed; direct effect = its DLA; self-repair = total − direct (other components compensating). Click a head for its numbers and the tokens that moved.',
  },
  patching: {
    shows: 'Activation patching: the corrupted run with one activation (per layer and position, or head) taken from the clean run.',
    read: 'Normalised metric: 0 = as corrupted, 1 = as clean. A cell near 1 carries the information that tells the prompts apart. The two prompts must have the same number of tokens.',
  },
  'path-patching': {
    shows: 'Path patching: the effect of each sender head on one receiver (a head\'s query, key or value, or the logits), with every other path frozen at the corrupted run.',
    read: 'Large values are senders whose output reaches the receiver directly and changes the metric. Compare with activation patching to separate direct paths from indirect ones.',
  },
  attribution: {
    shows: 'Attribution patching: a one-backward-pass linear estimate of activation patching, next to the exact sweep on the same colour range.',
    read: 'Where the two agree (points near the diagonal, Pearson r near 1) the cheap estimate can be trusted; large disagreements mark non-linear components (often attention in early layers).',
  },
  retrieval: {
    shows: 'Retrieval heads: needle-in-a-haystack samples with a needle sentence hidden at each depth of a filler context, and how often each head copies the needle when the model answers.',
    read: 'The grid is the retrieval score per head (the share of answer tokens it copied from the needle). Depth is where the needle sits in the context, in percent (0 = start, 100 = end), as in the CLI and the notebooks. Each sample shows whether the model recalled the needle.',
  },
  probe: {
    shows: "Linear probes: a logistic-regression probe per layer on the residual stream, predicting each sample's label, with held-out accuracy and AUC.",
    read: 'Compare each layer with the majority baseline: accuracy well above it means the label is linearly readable at that layer. The best probe\'s direction is decoded through the unembedding.',
  },
  notebooks: {
    shows: 'Declarative notebooks: a list of prompts, analysis steps and figures that run in order and can be saved, cached and exported as a report.',
    read: 'Each cell shows its state and its output. Changing a cell reruns only what depends on it. Ctrl+Z outside a text field undoes the last edit of the notebook.',
  },
};
