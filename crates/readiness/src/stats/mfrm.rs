//! Many-facet Rasch model (rating scale model) by joint maximum likelihood.
