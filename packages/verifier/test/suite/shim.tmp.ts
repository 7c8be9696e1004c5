export * from '../../src/rules/multiple-choice';
export * from '../../src/rules/yes-no-maybe';
export * from '../../src/rules/numeric';
export * from '../../src/rules/keywords';
