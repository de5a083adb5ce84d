/** Prompts for the end-to-end tests (TinyStories style, which stories260K was trained on). */

/** About 250 tokens: long enough that a per-position head sweep takes many passes. */
export const LONG_STORY = [
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the sun.',
  'One day, Lily saw a big red ball in the park. She ran to the ball and picked it up.',
  'A boy named Tom came and said, "That is my ball!" Lily was sad, but she gave the ball to Tom.',
  'Tom smiled and said, "Thank you, Lily. Do you want to play with me?" Lily was happy.',
  'They played with the ball all day. They laughed and ran and had a lot of fun together.',
  'When the sun went down, Lily went home to her mom. She told her mom about her new friend Tom.',
  'Her mom hugged her and said, "I am proud of you for sharing." Lily smiled and went to bed.',
].join(' ');
