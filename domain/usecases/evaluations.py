"""Evaluation use cases: a coordinator evaluates a volunteer's service over a period, or amends it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.evaluations import SCALE, Evaluation
from domain.usecases.ledger import Ledger, Receipt
from domain.volunteers import Volunteer


class EvaluationUseCases(Ledger):
    def evaluate(self, volunteer_id: UUID, first_day: date, last_day: date, rating: str, comment: str,
                 evaluator: str, actor: str, scale: tuple[str, ...] = SCALE) -> Receipt:
        volunteer = self._read(Volunteer, volunteer_id, "volunteer")
        evaluation = Evaluation.give(volunteer_id, volunteer.unit_id, first_day, last_day, rating, comment, scale,
                                     evaluator, actor)
        return Receipt(self._commit(evaluation), evaluation.id)

    def amend_evaluation(self, evaluation_id: UUID, rating: str, comment: str, reason: str, actor: str,
                         scale: tuple[str, ...] = SCALE) -> Receipt:
        return self._change(Evaluation, evaluation_id, "evaluation",
                            lambda evaluation: evaluation.amend(rating, comment, reason, scale, actor))

    def get_evaluation(self, evaluation_id: UUID) -> Evaluation:
        return self._read(Evaluation, evaluation_id, "evaluation")
