import { Injectable } from '@nestjs/common';
import { AclStreamRepository, type WriteResult } from '../../acl-stream.repository';
import { rollback } from '../../domain/acl-decisions';
import type { RollbackDocumentCommand } from './rollback-document.command';

@Injectable()
export class RollbackDocumentHandler {
  constructor(private readonly streams: AclStreamRepository) {}

  execute(command: RollbackDocumentCommand): Promise<WriteResult> {
    return this.streams.write(
      command.pattern,
      command.ifMatch,
      (state) =>
        rollback(state, command.toVersion, () => this.streams.loadAt(command.pattern, command.toVersion)),
      command.context,
    );
  }
}
