// `@modelgate/acl/testing`: test support that reads files (the YAML decision cases), kept out
// of the runtime index. Test code only: the lint boundaries keep it out of production code.
export * from './decision-cases';
