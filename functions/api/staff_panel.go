package api

// staffPanelRoutes are the Mensagens panel's reads of one job, a conversation and the
// daily chart.
func (s *server) staffPanelRoutes() []route {
	return nil
}
