from django.db import models


class PublicDataVersion(models.Model):
    """One row whose `value` moves after every committed write to data residents may see.

    Cached public responses are keyed by it (common.public_cache), so a change shows on the next
    request on every web process, whatever wrote it: a staff page, the admin, a command, a task.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "common_publicdataversion"

    def __str__(self) -> str:
        return str(self.value)
