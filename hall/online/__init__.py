"""网上办事大厅: the applicant's online hall (portal) and the clerks' online-intake desk."""
