from odoo import models


class KreanciaIntervention(models.Model):
    _inherit = "kreancia.intervention"

    def _create_cases(self):
        """Open the hand-over case of each intervention, its claim computed at the intervention's date."""
        self._compute_legal_amounts()
        Case = self.env["kreancia.case"]
        Case.env["kreancia.case.line"]._check_not_in_open_case(self.move_ids)
        cases = Case.create(
            [
                Case._case_values(
                    intervention,
                    {
                        "intervention_id": intervention.id,
                        "agency_id": intervention.step_id.handover_partner_id.id,
                        "user_id": (intervention.step_id.scenario_id.user_id or intervention._call_agent()).id,
                    },
                )
                for intervention in self
            ]
        )
        return cases
